@echo off
rem 廉政风险自查表处理工具：双击运行。第一次运行时准备运行环境，之后直接处理收件箱。
chcp 65001 >nul
setlocal
cd /d "%~dp0"
set "LIANZHENG_LAUNCHER=bat"
set "PYTHONUTF8=1"
set "VENV_PY=.venv\Scripts\python.exe"
set "TOOL=.venv\Scripts\lianzheng-risk.exe"

if not exist "%VENV_PY%" goto setup
fc /b pyproject.toml .venv\pyproject.installed >nul 2>nul
if errorlevel 1 goto setup
if not exist "%TOOL%" goto setup
goto run

:setup
echo 正在准备运行环境（只在第一次或更新工具后进行），请稍候……
set "BASE_PY="
where py >nul 2>nul
if not errorlevel 1 set "BASE_PY=py -3"
if not defined BASE_PY (
  where python >nul 2>nul
  if not errorlevel 1 set "BASE_PY=python"
)
if not defined BASE_PY goto nopython
if not exist "%VENV_PY%" %BASE_PY% -m venv .venv
if errorlevel 1 goto nopython
if exist "wheelhouse\" (
  "%VENV_PY%" -m pip install --quiet --no-index --find-links wheelhouse -e .
) else (
  "%VENV_PY%" -m pip install --quiet -e .
)
if errorlevel 1 goto installfailed
copy /y pyproject.toml .venv\pyproject.installed >nul

:run
"%TOOL%" process --inbox inbox --config config --out output
set "RC=%ERRORLEVEL%"
echo.
if not "%RC%"=="0" (
  echo 处理没有完成，请按上面的提示修改后再双击 处理.bat。
) else (
  echo 处理完成。结果在 output 文件夹：档案上报区纪委，科室反馈 发回各科室。
)
pause
exit /b 0

:nopython
echo 没有找到 Python。请先安装 Python 3.11 或更新版本（安装时勾选 Add Python to PATH），再双击 处理.bat。
pause
exit /b 1

:installfailed
echo 运行环境安装失败。这台电脑如果不能上网，请把 wheelhouse 文件夹（离线安装包）放到本文件夹里再双击 处理.bat。
pause
exit /b 1
